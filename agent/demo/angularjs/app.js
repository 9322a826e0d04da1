// The AngularJS demo: ngRoute with a route that waits on $http, and buttons that fail in the
// ways real apps do. The `lookout` module (from /lookout-angularjs.js) does the reporting.
angular
  .module('demo', ['ngRoute', 'lookout'])
  .config(['$routeProvider', function ($routeProvider) {
    $routeProvider
      .when('/', { templateUrl: 'home.html', controller: 'HomeController', controllerAs: 'home' })
      .when('/users/:id', { templateUrl: 'user.html', controller: 'UserController', controllerAs: 'user' })
      .otherwise('/');
  }])
  .run(['$templateCache', function ($templateCache) {
    $templateCache.put('home.html',
      '<div class="card"><h2>Home</h2>' +
      '<button id="throw-controller" ng-click="home.throwInController()">Throw in a controller</button>' +
      '<button id="throw-outside" ng-click="home.throwOutside()">Throw outside AngularJS</button>' +
      '<button id="failing-request" ng-click="home.failingRequest()">Failing request</button>' +
      '<button id="go-user" ng-click="home.goToUser()">Open user 42</button>' +
      '<p>{{ home.status }}</p></div>');
    $templateCache.put('user.html',
      '<div class="card"><h2 id="user-name">{{ user.name }}</h2><p>Loaded from the API in {{ user.ms }} ms.</p>' +
      '<button id="throw-user" ng-click="user.crash()">Crash this view</button></div>');
  }])
  .controller('HomeController', ['$http', '$location', function ($http, $location) {
    var home = this;
    home.status = '';
    home.throwInController = function () {
      var cart = undefined;
      return cart.items.length; // TypeError inside the digest → $exceptionHandler
    };
    home.throwOutside = function () {
      setTimeout(function () { throw new RangeError('Demo: thrown outside AngularJS'); });
    };
    home.failingRequest = function () {
      $http.get('/demo/api/fail?token=secret').catch(function (response) {
        home.status = 'The request failed with ' + response.status + ' (see the breadcrumb on the next error).';
      });
    };
    home.goToUser = function () { $location.path('/users/42'); };
  }])
  .controller('UserController', ['$http', '$routeParams', function ($http, $routeParams) {
    var user = this;
    var started = Date.now();
    $http.get('/demo/api/users/' + encodeURIComponent($routeParams.id)).then(function (response) {
      user.name = response.data.name;
      user.ms = Date.now() - started;
    });
    user.crash = function () { throw new Error('Demo: user view crashed for ' + $routeParams.id); };
  }]);
